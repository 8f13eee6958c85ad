import { describe, expect, it } from 'vitest';
import { AnsiParser } from '../../web/src/ansi.ts';
import { LogTree, sectionDuration, type LogNode } from '../../web/src/log-sections.ts';

/** The tree as text: `[name 00:05]{…}` for a section, `<11:42:50>` for a line's time, its text otherwise. */
function show(nodes: LogNode[]): string {
  return nodes
    .map((n) =>
      n.kind === 'chunk'
        ? n.spans.map((s) => (s.stamp ? `<${s.stamp.slice(11, 19)}>` : s.text)).join('')
        : `[${n.name}${n.collapsed ? ' collapsed' : ''} ${sectionDuration(n) ?? 'open'}]{${show(n.children)}}`,
    )
    .join('');
}

function treeOf(...chunks: string[]): LogTree {
  const parser = new AnsiParser();
  const tree = new LogTree();
  for (const chunk of chunks) tree.add(parser.pushEvents(chunk));
  return tree;
}

// What GitLab Runner 17.5 writes around a stage of the job.
const START = (t: number, name: string, options = '') => `\x1b[0Ksection_start:${t}:${name}${options}\r\x1b[0K`;
const END = (t: number, name: string) => `\x1b[0Ksection_end:${t}:${name}\r\x1b[0K`;

describe('job log sections', () => {
  it('nests the runner’s sections with their lengths, and keeps a collapsed one collapsed', () => {
    const log = `Running with gitlab-runner 17.5.0\n${START(1700000000, 'prepare_executor')}\x1b[36;1mPreparing the "shell" executor\x1b[0;m\nUsing Shell\n${END(1700000002, 'prepare_executor')}${START(1700000002, 'step_script')}$ python train.py\n${START(1700000003, 'deps', '[collapsed=true]')}pip install\n${END(1700000010, 'deps')}accuracy 0.97\n${END(1700000065, 'step_script')}Job succeeded\n`;
    expect(show(treeOf(log).root)).toBe(
      'Running with gitlab-runner 17.5.0\n[prepare_executor 00:02]{Preparing the "shell" executor\nUsing Shell\n}[step_script 01:03]{$ python train.py\n[deps collapsed 00:07]{pip install\n}accuracy 0.97\n}Job succeeded\n',
    );
  });

  it('keeps one section whole when a read of the running log ends inside its markers', () => {
    const log = `a\n${START(10, 'step_script')}b\n${END(12, 'step_script')}c\n`;
    const whole = show(treeOf(log).root);
    expect(whole).toBe('a\n[step_script 00:02]{b\n}c\n');
    // Every place the log could be cut into two reads gives the same sections and text.
    for (let i = 1; i < log.length; i++) expect(show(treeOf(log.slice(0, i), log.slice(i)).root), `cut at ${i}`).toBe(whole);
  });

  it('shows a section still open as running, closes the inner ones with the outer, and ignores an end it never opened', () => {
    const tree = treeOf(`${START(1, 'outer')}x\n${START(2, 'inner')}y\n${END(5, 'nothing')}${END(9, 'outer')}z\n${START(10, 'last')}w\n`);
    expect(show(tree.root)).toBe('[outer 00:08]{x\n[inner 00:07]{y\n}}z\n[last open]{w\n}');
  });

  it('reads GitLab Runner’s line times (FF_TIMESTAMPS) whole, however the log is cut, and keeps a marker’s line out of the text', () => {
    const hdr = (time: string, flag = ' ') => `2026-12-01T${time}.123456Z 00O${flag}`;
    const log =
      `${hdr('11:42:50')}Running with gitlab-runner 17.5.0\n` +
      `${hdr('11:42:51')}${START(1796111371, 'step_script')}\n` +
      `${hdr('11:42:51')}$ python train.py\n` +
      `${hdr('11:42:53')}epoch 1 \x1b[31mloss=0.4\x1b[0m\n` +
      `${hdr('11:42:53', '+')}continued\n` +
      `${hdr('11:43:01')}${END(1796111381, 'step_script')}\n` +
      `${hdr('11:43:01', ' ')}Job succeeded\n`;
    const whole = show(treeOf(log).root);
    expect(whole).toBe('<11:42:50>Running with gitlab-runner 17.5.0\n[step_script 00:10]{<11:42:51>$ python train.py\n<11:42:53>epoch 1 loss=0.4\ncontinued\n}<11:43:01>Job succeeded\n');
    for (let i = 1; i < log.length; i++) expect(show(treeOf(log.slice(0, i), log.slice(i)).root), `cut at ${i}`).toBe(whole);
  });

  it('still gives plain spans without the markers to callers that want text only', () => {
    expect(
      new AnsiParser()
        .push(`${START(1, 's')}\x1b[32mok\x1b[0m\n${END(2, 's')}`)
        .map((s) => s.text)
        .join(''),
    ).toBe('ok\n');
  });

  it('writes hours when a section took them', () => {
    expect(sectionDuration({ start: 0, end: 3725 })).toBe('1:02:05');
    expect(sectionDuration({ start: 5, end: null })).toBeNull();
  });
});
