/** Placeholder: replaced by the page's implementation. */
export function LoginPage() {
  return <p>LoginPage</p>;
}
