import { LabIcon } from '@jupyterlab/ui-components';

import catalogueSvg from '../../style/icons/catalogue.svg';

export const catalogueIcon = new LabIcon({
  name: 'jupyterlab-escape:catalogue',
  svgstr: catalogueSvg
});
