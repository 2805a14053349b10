/**
 * Every command of the suite reads the same way everywhere (#21): a label (also in the palette,
 * menus and launcher), a caption (the tooltip) and an icon, and every palette item sits under its
 * service's category. The plugins are activated as JupyterLab would, with fakes around them.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { CommandRegistry } from '@lumino/commands';

import plugins from '../index';
import { PaletteCategory } from '../tokens';

/** Anything: every property is another fake, every call answers a fake. */
function fake(overrides: Record<string, unknown> = {}): any {
  const target: any = Object.assign(() => undefined, overrides);
  return new Proxy(target, {
    get: (t, key) => {
      if (key === 'then' || typeof key === 'symbol') {
        return undefined;
      }
      if (!(key in t)) {
        t[key] = fake();
      }
      return t[key];
    },
    apply: () => fake()
  });
}

interface IPaletteItem {
  command: string;
  category: string;
}

async function activateSuite(): Promise<{
  commands: CommandRegistry;
  palette: IPaletteItem[];
  launcher: { command: string; args?: Record<string, unknown> }[];
}> {
  const commands = new CommandRegistry();
  const palette: IPaletteItem[] = [];
  const launcher: { command: string; args?: Record<string, unknown> }[] = [];
  const app = fake({
    commands,
    // Nothing after the restore runs: no server in these tests.
    restored: new Promise(() => undefined)
  });
  const tracker = fake({ currentWidget: null, activeCell: null });
  const paletteFake = fake({
    addItem: (item: IPaletteItem) => palette.push(item)
  });
  const launcherFake = fake({
    add: (item: { command: string; args?: Record<string, unknown> }) =>
      launcher.push(item)
  });
  for (const plugin of plugins as JupyterFrontEndPlugin<any>[]) {
    const required = (plugin.requires ?? []).map(() => tracker);
    const optional = (plugin.optional ?? []).map(token => {
      const name = (token as { name: string }).name;
      if (name.endsWith(':ICommandPalette')) {
        return paletteFake;
      }
      if (name.endsWith(':ILauncher')) {
        return launcherFake;
      }
      return null;
    });
    await plugin.activate(app, ...required, ...optional);
  }
  return { commands, palette, launcher };
}

describe('the commands of the suite', () => {
  let suite: Awaited<ReturnType<typeof activateSuite>>;
  let ours: string[];
  beforeAll(async () => {
    suite = await activateSuite();
    ours = suite.commands.listCommands().filter(id => id.startsWith('escape:'));
  });

  it('are registered (every slice)', () => {
    for (const slice of ['datalake', 'catalogue', 'workflows', 'provenance']) {
      expect(ours.some(id => id.startsWith(`escape:${slice}-`))).toBe(true);
    }
    expect(ours.length).toBeGreaterThanOrEqual(20);
  });

  it.each([
    ['menus and context menus', {}],
    ['the command palette', { isPalette: true }],
    ['the launcher', { isLauncher: true }]
  ])('each has a label, a caption and an icon in %s', (_, args) => {
    const missing = ours.flatMap(id => {
      const problems: string[] = [];
      if (!suite.commands.label(id, args).trim()) {
        problems.push(`${id}: no label`);
      }
      if (!suite.commands.caption(id, args).trim()) {
        problems.push(`${id}: no caption`);
      }
      if (!suite.commands.icon(id, args)) {
        problems.push(`${id}: no icon`);
      }
      return problems;
    });
    expect(missing).toEqual([]);
  });

  it('labels follow one scheme: Title Case, verb or name first, "…" only for dialogs', () => {
    for (const id of ours) {
      const label = suite.commands.label(id, { isPalette: true });
      // First word capitalised; no trailing period; an ellipsis is the Unicode one.
      expect(label).toMatch(/^[A-Z]/);
      expect(label).not.toMatch(/\.$/);
      expect(label).not.toContain('...');
    }
  });

  it('launcher cards name what they open, and say so to JupyterLab (it passes no flag)', () => {
    const cards = suite.launcher.map(item =>
      suite.commands.label(item.command, (item.args ?? {}) as never)
    );
    expect(cards).toEqual(
      expect.arrayContaining(['ESCAPE Services', 'REANA workflow'])
    );
  });

  it('palette items sit under their service, and are commands of ours with an icon', () => {
    const categories = Object.values(PaletteCategory) as string[];
    expect(suite.palette.length).toBeGreaterThanOrEqual(12);
    for (const item of suite.palette) {
      expect(categories).toContain(item.category);
      expect(suite.commands.hasCommand(item.command)).toBe(true);
      expect(
        suite.commands.icon(item.command, { isPalette: true })
      ).toBeTruthy();
    }
    const category = (command: string) =>
      suite.palette.find(i => i.command === command)?.category;
    expect(category('escape:datalake-open')).toBe('Data Lake');
    expect(category('escape:workflows-run-cell')).toBe('REANA');
    expect(category('escape:catalogue-open')).toBe('Software Catalogue');
    expect(category('escape:status-open')).toBe('ESCAPE');
  });
});
