import { JupyterFrontEnd } from '@jupyterlab/application';

import { COMMAND_ALIASES } from '../tokens';

/**
 * Register the old ids of the given commands as aliases: each runs today's command with the
 * same arguments and takes its label, state and visibility from it. Aliases are not put in the
 * palette or in menus; they exist for user shortcuts and scripts.
 */
export function addCommandAliases(
  commands: JupyterFrontEnd['commands'],
  targets: readonly string[]
): void {
  for (const [old, target] of Object.entries(COMMAND_ALIASES)) {
    if (!targets.includes(target) || commands.hasCommand(old)) {
      continue;
    }
    const known = () => commands.hasCommand(target);
    commands.addCommand(old, {
      label: args => (known() ? commands.label(target, args) : old),
      caption: args => (known() ? commands.caption(target, args) : ''),
      icon: args => (known() ? commands.icon(target, args) : undefined),
      isEnabled: args => known() && commands.isEnabled(target, args),
      isVisible: args => known() && commands.isVisible(target, args),
      isToggled: args => known() && commands.isToggled(target, args),
      execute: args => commands.execute(target, args)
    });
  }
}
