export default function PageLoading() {
  return (
    <div className="page-state" role="status" aria-live="polite">
      <p>Loading evidence…</p>
    </div>
  );
}
