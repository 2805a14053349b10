import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { datalakePlugin } from './datalake/plugin';
import { statusPlugin } from './status/plugin';

const plugins: JupyterFrontEndPlugin<any>[] = [statusPlugin, datalakePlugin];

export default plugins;
