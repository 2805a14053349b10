import { LabIcon } from '@jupyterlab/ui-components';

import datalakeSvg from '../../style/icons/datalake.svg';
import escapeSvg from '../../style/icons/escape.svg';

export const escapeIcon = new LabIcon({
  name: 'jupyterlab-escape:escape',
  svgstr: escapeSvg
});

export const datalakeIcon = new LabIcon({
  name: 'jupyterlab-escape:datalake',
  svgstr: datalakeSvg
});
