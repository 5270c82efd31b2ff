import { appConfig } from '@dga/build-config/app';

export default appConfig(['src/main.ts']);
