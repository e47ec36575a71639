"""What the stack's small HTTP services share: one way to send a complete answer."""


def answer(handler, status, body, content_type="text/plain"):
    """Send status, headers and body in one go (Content-Length lets clients reuse the connection)."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
