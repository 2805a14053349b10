import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { cataloguePlugin } from './catalogue/plugin';
import { datalakePlugin } from './datalake/plugin';
import { reanaCellPlugin } from './workflows/cellPlugin';
import { reanaPlugin } from './workflows/plugin';
import { statusPlugin } from './status/plugin';

const plugins: JupyterFrontEndPlugin<any>[] = [
  statusPlugin,
  datalakePlugin,
  cataloguePlugin,
  reanaPlugin,
  reanaCellPlugin
];

export default plugins;
