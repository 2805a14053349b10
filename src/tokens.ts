/** Ids shared across the suite: plugins, commands, launcher category. */
export const PLUGIN_PREFIX = 'jupyterlab-escape';

export namespace PluginIDs {
  export const status = `${PLUGIN_PREFIX}:status`;
  export const datalake = `${PLUGIN_PREFIX}:datalake`;
  export const catalogue = `${PLUGIN_PREFIX}:catalogue`;
  export const reana = `${PLUGIN_PREFIX}:workflows`;
}

export namespace CommandIDs {
  export const openServices = 'escape:open-services';
  export const refreshServices = 'escape:refresh-services';
  export const openDatalake = 'escape:datalake-open';
  export const openCatalogue = 'escape:catalogue-open';
  export const catalogueSearch = 'escape:catalogue-search';
  export const openWorkflows = 'escape:reana-open';
  export const submitWorkflow = 'escape:reana-submit';
  export const newWorkflow = 'escape:reana-new';
  export const openWorkflow = 'escape:reana-open-workflow';
  export const runCellWorkflow = 'escape:reana-run-cell';
}

/** Launcher and palette category of every ESCAPE command. */
export const ESCAPE_CATEGORY = 'ESCAPE';
