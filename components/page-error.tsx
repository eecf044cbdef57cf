"use client";

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="page-state" role="alert">
      <h1>This page could not be loaded</h1>
      <p>Nothing was changed. The evidence store did not answer this request{error.digest ? ` (reference ${error.digest})` : ""}.</p>
      <button type="button" onClick={reset}>
        Try again
      </button>
    </div>
  );
}
