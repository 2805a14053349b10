/** Ids shared across the suite: plugins, commands, launcher category. */
export const PLUGIN_PREFIX = 'jupyterlab-escape';

/** One name per slice: plugin id, settings file (`schema/<slice>.json`), command prefix. */
export namespace PluginIDs {
  export const status = `${PLUGIN_PREFIX}:status`;
  export const datalake = `${PLUGIN_PREFIX}:datalake`;
  export const catalogue = `${PLUGIN_PREFIX}:catalogue`;
  export const workflows = `${PLUGIN_PREFIX}:workflows`;
  export const provenance = `${PLUGIN_PREFIX}:provenance`;
  /** @deprecated the slice is `workflows`; use PluginIDs.workflows. */
  export const reana = workflows;
}

export namespace CommandIDs {
  export const openServices = 'escape:status-open';
  export const refreshServices = 'escape:status-refresh';
  export const openDatalake = 'escape:datalake-open';
  export const refreshDatalake = 'escape:datalake-refresh';
  export const datalakeCredentials = 'escape:datalake-credentials';
  export const openCatalogue = 'escape:catalogue-open';
  export const catalogueSearch = 'escape:catalogue-search';
  export const openCatalogueRecord = 'escape:catalogue-open-record';
  export const openWorkflows = 'escape:workflows-open';
  export const submitWorkflow = 'escape:workflows-submit';
  export const newWorkflow = 'escape:workflows-new';
  export const openWorkflow = 'escape:workflows-open-workflow';
  export const runCellWorkflow = 'escape:workflows-run-cell';
  /** Data Lake hand-offs: a DID as a %%reana input; a run's outputs to the lake. */
  export const useLakeInput = 'escape:workflows-use-lake-input';
  export const uploadOutputsToLake = 'escape:workflows-upload-outputs';
  export const openProvenance = 'escape:provenance-open';
}

/**
 * Command ids of earlier releases -> today's: still registered (hidden from the palette and the
 * menus) so that user shortcuts and scripts calling them keep working.
 */
export const COMMAND_ALIASES: Readonly<Record<string, string>> = {
  'escape:open-services': CommandIDs.openServices,
  'escape:refresh-services': CommandIDs.refreshServices,
  'escape:reana-open': CommandIDs.openWorkflows,
  'escape:reana-submit': CommandIDs.submitWorkflow,
  'escape:reana-new': CommandIDs.newWorkflow,
  'escape:reana-open-workflow': CommandIDs.openWorkflow,
  'escape:reana-run-cell': CommandIDs.runCellWorkflow
};

/** Launcher category of every ESCAPE command (one launcher section for the suite). */
export const ESCAPE_CATEGORY = 'ESCAPE';

/**
 * Command palette categories, one per service (#21), so the palette reads
 * "Data Lake: Open the Data Lake Browser", "REANA: Run Cell as REANA Workflow", … Labels stay
 * whole sentences (verb first, Title Case, "…" when a dialog asks for more) because menus show
 * them without the category.
 */
export const PaletteCategory = {
  datalake: 'Data Lake',
  catalogue: 'Software Catalogue',
  reana: 'REANA',
  escape: 'ESCAPE'
} as const;
