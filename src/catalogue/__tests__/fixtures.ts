import {
  IFetchJob,
  IRecordDetail,
  IRecordSummary,
  ISearchParams,
  ISearchResult
} from '../api';

export function summary(
  id: string,
  extra: Partial<IRecordSummary> = {}
): IRecordSummary {
  return {
    id,
    concept_id: '1',
    title: `tool ${id}: a pipeline`,
    version: '1.0.0',
    creators: [
      {
        name: 'Moreau, Anna',
        orcid: '0000-0002-1825-0097',
        affiliation: 'CNRS'
      }
    ],
    publication_date: '2024-01-02',
    resource_type: { id: 'software', title: 'Software' },
    keywords: ['CTA', 'gamma-ray'],
    licence: { id: 'mit', title: 'MIT License', url: null },
    doi: `10.5281/zenodo.${id}`,
    concept_doi: '10.5281/zenodo.1',
    access_status: 'open',
    description_text: 'A pipeline.',
    views: 10,
    downloads: 5,
    files_count: 2,
    total_bytes: 2048,
    html_url: `https://zenodo.org/records/${id}`,
    is_latest: true,
    ...extra
  };
}

export function result(
  params: ISearchParams,
  total: number,
  ids: string[]
): ISearchResult {
  return {
    q: params.q,
    sort: params.sort,
    scope: params.scope,
    page: params.page,
    size: params.size,
    max_page: Math.floor(10000 / params.size),
    community: 'escape2020',
    total,
    hits: ids.map(id => summary(id)),
    facets: [
      {
        name: 'resource_type',
        label: 'Resource types',
        buckets: [
          { key: 'software', label: 'Software', count: total, selected: false }
        ]
      }
    ],
    filters: params.filters,
    cached: false
  };
}

export function detail(extra: Partial<IRecordDetail> = {}): IRecordDetail {
  return {
    ...summary('42'),
    description_html: '<p>Inert <strong>text</strong></p>',
    remote_images: 1,
    images_shown: false,
    files: [
      {
        key: 'tool-1.0.0.zip',
        size: 2048,
        md5: 'abc',
        mimetype: 'application/zip'
      }
    ],
    files_restricted: false,
    related: [
      {
        identifier: 'https://github.com/a/tool',
        relation: 'Is supplemented by',
        scheme: 'url',
        kind: 'repository'
      }
    ],
    versions: [
      {
        id: '42',
        version: '1.0.0',
        publication_date: '2024-01-02',
        index: 2,
        is_latest: true
      },
      {
        id: '41',
        version: '0.9.0',
        publication_date: '2023-01-02',
        index: 1,
        is_latest: false
      }
    ],
    codemeta: {
      source: 'file',
      programmingLanguage: ['Python'],
      runtimePlatform: [],
      softwareRequirements: ['numpy>=1.23'],
      buildInstructions: ['pip install tool==1.0.0'],
      installUrl: [],
      codeRepository: ['https://github.com/a/tool'],
      issueTracker: [],
      readme: [],
      operatingSystem: [],
      developmentStatus: [],
      maintainers: [{ name: 'Anna Moreau', orcid: null }],
      authors: [],
      version: '1.0.0'
    },
    install: {
      source: 'codemeta',
      code: '# Install tool 1.0.0\n%pip install tool==1.0.0'
    },
    ...extra
  };
}

/** A catalogue fetch job as the server's job routes answer it. */
export function fetchJob(extra: Partial<IFetchJob> = {}): IFetchJob {
  return {
    id: 'a1b2c3d4e5f6',
    kind: 'catalogue.fetch',
    state: 'running',
    message: null,
    items_total: 2,
    items_done: 0,
    items_failed: 0,
    bytes_total: 4096,
    bytes_done: 0,
    transferred: 0,
    throughput: null,
    eta_seconds: null,
    errors: [],
    errors_count: 0,
    created: 1700000000,
    started: 1700000000,
    finished: null,
    record_id: '42',
    title: 'tool',
    dest: 'ossr/tool-1.0.0',
    extract: true,
    phase: 'downloading',
    files: [],
    files_count: 2,
    extracted: [],
    extracted_count: 0,
    renamed: [],
    renamed_count: 0,
    skipped: [],
    skipped_count: 0,
    ...extra
  };
}
