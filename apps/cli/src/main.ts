import { VERSION } from '@dga/features'; console.log('features', VERSION);
