import { LabIcon } from '@jupyterlab/ui-components';

import reanaSvg from '../../style/icons/reana.svg';

export const reanaIcon = new LabIcon({
  name: 'jupyterlab-escape:reana',
  svgstr: reanaSvg
});
