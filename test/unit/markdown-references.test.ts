import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../../src/registry/model-card.ts';

/** The references of the one Markdown renderer: where they are read, and that they cannot carry markup. */
const render = (text: string) => renderMarkdown(text, { filesBase: null }, { projectId: 7 });

describe('references in Markdown', () => {
  it('link #iid and model:name/version into the project', () => {
    expect(render('Fixes #12.')).toBe('<p>Fixes <a href="/projects/7/issues/12" rel="nofollow noopener noreferrer">#12</a>.</p>\n');
    expect(render('(model:fraud-v2.1/3)')).toBe('<p>(<a href="/projects/7/model-refs/fraud-v2.1/3" rel="nofollow noopener noreferrer">model:fraud-v2.1/3</a>)</p>\n');
  });

  it('leave alone what is no reference: mid-word, entities, URLs, code, headings', () => {
    expect(render('a#1 &#1; x/#2')).not.toContain('href');
    expect(render('`#1` and\n\n    #2')).not.toContain('href');
    expect(render('https://example.org/#3')).not.toContain('/issues/3');
    expect(render('#4abc')).not.toContain('href');
  });

  it('are not read without a project, as before references existed', () => {
    expect(renderMarkdown('see #1', { filesBase: null })).toBe('<p>see #1</p>\n');
  });

  it('cannot carry markup or a script', () => {
    const html = render('model:a"onmouseover="x/1 #1"><script>alert(1)</script> model:<b>/1');
    expect(html).not.toMatch(/<script|<[^>]*onmouseover|<b>/);
  });
});
