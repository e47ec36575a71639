// Ink draws only a final frame when the CI variable is set (the is-in-ci package). lean-labs draws with Ink only
// when it has a terminal (start refuses without one; image progress falls back to plain lines), and a terminal
// inside a CI job or a cloud workspace that sets CI still deserves a live screen.
export default false;
