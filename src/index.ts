import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { statusPlugin } from './status/plugin';

const plugins: JupyterFrontEndPlugin<any>[] = [statusPlugin];

export default plugins;
