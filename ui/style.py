"""Page style and the small scripts of the chat page (no corpus text ever goes in here)."""

from __future__ import annotations

import gradio as gr

# System fonts only: the page must work offline (the default theme fetches Google Fonts).
THEME = gr.themes.Default(
    font=["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica", "Arial", "sans-serif"],
    font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "monospace"],
)

# Chips and "show sources" buttons in the transcript report which answer and source were clicked.
TRANSCRIPT_JS = """
element.addEventListener('click', (ev) => {
  const b = ev.target.closest('button.chip, button.show-sources');
  if (!b) return;
  const n = b.dataset.n === undefined ? null : Number(b.dataset.n);
  trigger('click', {turn: Number(b.dataset.turn), n: n});
});
"""


# Scroll the panel (not the page) so that `target` sits at `frac` of the panel's height, below its
# sticky header (a selector inside `element`).
_SCROLL_WITHIN = """
const scrollWithin = (target, frac, sticky) => {
  let box = target.parentElement;
  while (box && !(box.scrollHeight > box.clientHeight + 2 && /(auto|scroll)/.test(getComputedStyle(box).overflowY))) {
    box = box.parentElement;
  }
  if (!box || box === document.documentElement || box === document.body) return;
  const delta = target.getBoundingClientRect().top - box.getBoundingClientRect().top;
  const head = sticky ? (element.querySelector(sticky)?.offsetHeight || 0) : 0;
  box.scrollTop += delta - head - box.clientHeight * frac;
};
"""

SOURCES_JS = _SCROLL_WITHIN + """
element.addEventListener('click', (ev) => {
  const b = ev.target.closest('button.open-article, button.translate-quote');
  if (!b) return;
  const action = b.classList.contains('translate-quote') ? 'translate' : 'open';
  trigger('click', {turn: Number(b.dataset.turn), n: Number(b.dataset.n), action: action});
});
watch('value', () => {
  const card = element.querySelector('.card.active');
  if (card) scrollWithin(card, 0.02, '.sources-q');
});
"""

ARTICLE_JS = _SCROLL_WITHIN + """
watch('value', () => {
  const m = element.querySelector('#article-quote');
  if (m) scrollWithin(m, 0.25, '.article-head');
});
"""

CSS = """
#transcript { min-height: 360px; }
#transcript .empty, #sources .empty, #article .empty { color: var(--body-text-color-subdued); padding: 1em; }
#transcript .turn { margin: 0.6em 0; }
#transcript .msg { padding: 0.6em 0.9em; border-radius: 10px; margin: 0.3em 0; line-height: 1.5; }
#transcript .msg.user { background: var(--color-accent-soft); margin-left: 20%; white-space: pre-wrap; }
#transcript .msg.bot { background: var(--background-fill-secondary); margin-right: 10%;
  border: 1px solid var(--border-color-primary); }
#transcript .turn.selected .msg.bot { border-color: var(--color-accent); }
.msg.refused { border-left: 4px solid #d97706 !important; }
.closest-head { margin: 10px 0 6px; font-style: italic; color: #92400e; }
.card.closest { border-style: dashed; }
.not-answer { font-size: 0.8em; color: #b45309; text-transform: uppercase; letter-spacing: 0.03em; }
.msg.failed { border-left: 4px solid #dc2626 !important; }
.msg.streaming .answer-text { opacity: 0.7; white-space: pre-wrap; }
.status-label { font-weight: 700; text-transform: uppercase; font-size: 0.8em; letter-spacing: 0.05em; }
.msg.refused .status-label { color: #b45309; }
.msg.failed .status-label { color: #b91c1c; }
.reason, .meta, .note, .scores { font-size: 0.85em; color: var(--body-text-color-subdued); }
.warning { font-size: 0.85em; color: #b45309; }
#translation .machine-translation { border: 1px dashed var(--border-color-primary); border-radius: 8px; padding: 0.6em 0.8em; }
#translation .mt-label { font-size: 0.8em; font-style: italic; color: var(--body-text-color-subdued); }
#translation .mt-original { font-size: 0.8em; color: var(--body-text-color-subdued); margin-top: 0.3em; }
.filter-note { font-size: 0.85em; color: var(--color-accent); font-weight: 600; }
button.chip { display: inline-block; padding: 0 0.35em; margin: 0 0.1em; border-radius: 6px; cursor: pointer;
  background: var(--color-accent-soft); color: var(--color-accent); font-weight: 600; font-size: 0.85em;
  border: 1px solid var(--color-accent); line-height: 1.4; }
button.chip:hover { background: var(--color-accent); color: white; }
button.show-sources, button.open-article, button.translate-quote { font-size: 0.8em; cursor: pointer; text-decoration: underline;
  color: var(--color-accent); background: none; border: none; padding: 0; margin-top: 0.3em; }
#sources .sources-q, #article .article-head { position: sticky; top: 0; z-index: 1; padding: 0.3em 0;
  background: var(--block-background-fill); border-bottom: 1px solid var(--border-color-primary);
  box-shadow: 0 -16px 0 var(--block-background-fill); }
#sources .sources-q { font-weight: 600; margin-bottom: 0.5em; }
#sources .card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 0.6em 0.8em;
  margin-bottom: 0.6em; }
#sources .card.active { border: 2px solid var(--color-accent); box-shadow: 0 0 0 3px var(--color-accent-soft); }
#sources .card-head { margin-bottom: 0.3em; }
#sources .num { font-weight: 700; color: var(--color-accent); }
.src-title { font-weight: 600; }
#sources .passage { font-size: 0.92em; line-height: 1.5; white-space: pre-wrap; }
#sources .card-foot { font-size: 0.8em; color: var(--body-text-color-subdued); margin-top: 0.3em; }
mark { background: #fde68a; color: inherit; padding: 0 1px; border-radius: 2px; }
#article .article-title { font-weight: 700; font-size: 1.05em; }
#article .article-text { white-space: pre-wrap; line-height: 1.55; font-size: 0.92em; margin-top: 0.5em; }
#article .passage-span { background: var(--color-accent-soft); }
#article .page-marker { display: block; margin: 0.6em 0 0.2em; font-size: 0.8em; font-weight: 600;
  color: var(--body-text-color-subdued); border-top: 1px dashed var(--border-color-primary); }
#sources details.retrieved li { margin-bottom: 0.4em; font-size: 0.88em; }
#sources details.retrieved li.cited .src-title { text-decoration: underline; }
#sources .snippet { color: var(--body-text-color-subdued); }
table.corpus { width: 100%; border-collapse: collapse; font-size: 0.9em; }
table.corpus th, table.corpus td { border-bottom: 1px solid var(--border-color-primary); padding: 0.3em 0.5em;
  text-align: left; vertical-align: top; }
table.corpus td.num { text-align: right; }
table.corpus td.doc-id { font-family: var(--font-mono); font-size: 0.85em; }
ul.corpus-status li.ok { color: #15803d; }
ul.corpus-status li.warn { color: #b45309; }
ul.corpus-status li.error { color: #b91c1c; font-weight: 600; }
ul.backends li.off { color: var(--body-text-color-subdued); }
"""
