/** Placeholder: replaced by the page's implementation. */
export function ExplorePage() {
  return <p>ExplorePage</p>;
}
