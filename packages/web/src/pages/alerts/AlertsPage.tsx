/** Placeholder: replaced by the page's implementation. */
export function AlertsPage() {
  return <p>AlertsPage</p>;
}
