import { createModel } from '../src/index';
const m = createModel({ preset: 'tutorial', featureSet: 'tutorial' });
console.log(JSON.stringify(m.layers.map(l => l.getConfig())));
