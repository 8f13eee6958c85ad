/** An issue's labels as chips; a scoped label shows its scope and value apart, as GitLab does. */
export function IssueLabels({ labels }: { labels: string[] }) {
  return (
    <>
      {labels.map((l) => {
        const at = l.lastIndexOf('::');
        return (
          <span key={l} className={at > 0 ? 'label scoped' : 'label'} data-testid="issue-label">
            {at > 0 ? (
              <>
                <span className="scope">{l.slice(0, at)}</span>
                {l.slice(at + 2)}
              </>
            ) : (
              l
            )}
          </span>
        );
      })}
    </>
  );
}
