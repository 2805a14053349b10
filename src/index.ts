import { JupyterFrontEndPlugin } from '@jupyterlab/application';

import { cataloguePlugin } from './catalogue/plugin';
import { datalakePlugin } from './datalake/plugin';
import { provenancePlugin } from './provenance/plugin';
import { reanaCellPlugin } from './workflows/cellPlugin';
import { workflowsPlugin } from './workflows/plugin';
import { statusPlugin } from './status/plugin';

const plugins: JupyterFrontEndPlugin<any>[] = [
  statusPlugin,
  datalakePlugin,
  cataloguePlugin,
  workflowsPlugin,
  reanaCellPlugin,
  provenancePlugin
];

export default plugins;
