import { CommandRegistry } from '@lumino/commands';

import { CommandIDs } from '../../tokens';
import { addCommandAliases } from '../commandAliases';

describe('addCommandAliases', () => {
  it('keeps the old ids working: same label, state and arguments', async () => {
    const commands = new CommandRegistry();
    const execute = jest.fn();
    let enabled = true;
    commands.addCommand(CommandIDs.openWorkflow, {
      label: 'Open a REANA Workflow',
      isEnabled: () => enabled,
      execute
    });
    addCommandAliases(commands, [CommandIDs.openWorkflow]);

    expect(commands.hasCommand('escape:reana-open-workflow')).toBe(true);
    // Only the aliases of the commands named.
    expect(commands.hasCommand('escape:reana-open')).toBe(false);
    expect(commands.label('escape:reana-open-workflow')).toBe(
      'Open a REANA Workflow'
    );
    await commands.execute('escape:reana-open-workflow', { id: 'w1' });
    expect(execute).toHaveBeenCalledWith({ id: 'w1' });
    enabled = false;
    expect(commands.isEnabled('escape:reana-open-workflow')).toBe(false);
  });

  it('an alias of a command registered later (another plugin) works once it exists', async () => {
    const commands = new CommandRegistry();
    addCommandAliases(commands, [CommandIDs.runCellWorkflow]);
    expect(commands.isEnabled('escape:reana-run-cell')).toBe(false);
    const execute = jest.fn();
    commands.addCommand(CommandIDs.runCellWorkflow, {
      label: 'Run on REANA',
      execute
    });
    expect(commands.isEnabled('escape:reana-run-cell')).toBe(true);
    await commands.execute('escape:reana-run-cell');
    expect(execute).toHaveBeenCalled();
  });
});
