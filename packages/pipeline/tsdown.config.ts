export { default } from '@dga/build-config';
