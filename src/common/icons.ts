import { LabIcon } from '@jupyterlab/ui-components';

import escapeSvg from '../../style/icons/escape.svg';

export const escapeIcon = new LabIcon({
  name: 'jupyterlab-escape:escape',
  svgstr: escapeSvg
});
