/** Placeholder: replaced by the page's implementation. */
export function DashboardPage() {
  return <p>DashboardPage</p>;
}
