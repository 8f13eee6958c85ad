import { Link } from '../router.tsx';
import { usePageTitle } from '../page-title.ts';

/** A page for something that is not there (a mistyped run id, a deleted model), with a way back. */
export function NotFoundPage({ title, message, back }: { title: string; message: string; back: { to: string; label: string } }) {
  usePageTitle(title);
  return (
    <div className="state error not-found" role="alert">
      <h1>{title}</h1>
      <p>{message}</p>
      <Link to={back.to}>{back.label}</Link>
    </div>
  );
}
