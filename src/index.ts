import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { cataloguePlugin } from './catalogue/plugin';
import { datalakePlugin } from './datalake/plugin';
import { statusPlugin } from './status/plugin';

const plugins: JupyterFrontEndPlugin<any>[] = [
  statusPlugin,
  datalakePlugin,
  cataloguePlugin
];

export default plugins;
