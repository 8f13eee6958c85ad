/**
 * Folder and file marks drawn as SVG: emoji need an emoji font, which many Linux desktops and
 * servers' browsers lack (they showed as empty boxes). Hidden from assistive technology: the
 * entry's name beside the mark is its label.
 */
export function FolderIcon() {
  return (
    <svg className="artifact-icon" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M1.5 3.5h4.5l1.5 1.5h7v8.5h-13z" fill="currentColor" fillOpacity="0.25" stroke="currentColor" strokeWidth="1" strokeLinejoin="round" />
    </svg>
  );
}

export function FileIcon() {
  return (
    <svg className="artifact-icon" width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path d="M3.5 1.5h6l3 3v10h-9z M9.5 1.5v3h3" fill="none" stroke="currentColor" strokeWidth="1" strokeLinejoin="round" />
    </svg>
  );
}
