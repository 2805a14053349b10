import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

import { SearchModel } from '../model';
import { RecordModel } from '../recordModel';
import { FacetFilters } from './FacetFilters';
import { IRecordActions, RecordView } from './RecordView';
import { ResultList } from './ResultList';
import { SearchControls } from './SearchControls';
import { useModel } from './useModel';

export interface ICatalogueSidebarProps {
  search: SearchModel;
  record: RecordModel | null;
  citationStyle: string;
  trans: TranslationBundle;
  actions: IRecordActions;
  sanitize: (html: string) => string;
  onOpen: (id: string) => void;
  onBack: () => void;
}

function Header(props: { trans: TranslationBundle }): JSX.Element {
  return (
    <h2 className="jp-escape-Catalogue-header">
      {props.trans.__('Software Catalogue')}
    </h2>
  );
}

/** The Software Catalogue sidebar: search with filters, or one record. */
export function CatalogueSidebar(props: ICatalogueSidebarProps): JSX.Element {
  const { search, record, trans } = props;
  useModel(search);
  useModel(record);
  if (record) {
    return (
      <div className="jp-escape-Catalogue">
        <Header trans={trans} />
        <RecordView
          record={record.record}
          loading={record.loading}
          error={record.error}
          job={record.job}
          jobError={record.jobError}
          citationStyle={props.citationStyle}
          trans={trans}
          actions={props.actions}
          sanitize={props.sanitize}
          onBack={props.onBack}
          onRetry={() => void record.load()}
        />
      </div>
    );
  }
  return (
    <div className="jp-escape-Catalogue">
      <Header trans={trans} />
      <SearchControls
        query={search.query}
        sort={search.sort}
        scope={search.scope}
        community={search.community}
        trans={trans}
        onQuery={q => search.setQuery(q)}
        onSubmit={() => void search.submit()}
        onSort={s => void search.setSort(s)}
        onScope={s => void search.setScope(s)}
      />
      <FacetFilters
        facets={search.facets}
        filters={search.filters}
        trans={trans}
        onToggle={(name, key) => void search.toggleFilter(name, key)}
        onClear={() => void search.clearFilters()}
      />
      <ResultList
        results={search.results}
        total={search.total}
        loading={search.loading}
        error={search.error}
        slowDown={search.slowDown}
        canLoadMore={search.canLoadMore}
        trans={trans}
        onOpen={props.onOpen}
        onKeyword={keyword => {
          if (!(search.filters['subject'] ?? []).includes(keyword)) {
            void search.toggleFilter('subject', keyword);
          }
        }}
        onLoadMore={() => void search.loadMore()}
        onRetry={() => void search.submit()}
      />
    </div>
  );
}
