/** Placeholder: replaced by the page's implementation. */
export function DashboardList() {
  return <p>DashboardList</p>;
}
