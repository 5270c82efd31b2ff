// `pnpm start`: the trainer from source; the built one is bin/dga-trainer.js.
import { runFromProcess } from './main';

await runFromProcess();
