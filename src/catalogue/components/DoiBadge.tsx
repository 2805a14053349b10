import * as React from 'react';

/** The DOI as a two-part badge linking to doi.org, like Zenodo's own. */
export function DoiBadge(props: { doi: string | null }): JSX.Element | null {
  if (!props.doi) {
    return null;
  }
  return (
    <a
      className="jp-escape-Catalogue-doi"
      href={`https://doi.org/${props.doi}`}
      target="_blank"
      rel="noopener noreferrer"
      title={`DOI ${props.doi}`}
    >
      <span className="jp-escape-Catalogue-doiLabel">DOI</span>
      <span className="jp-escape-Catalogue-doiValue">{props.doi}</span>
    </a>
  );
}
