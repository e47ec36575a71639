/** Splits Docker's multiplexed stdout/stderr framing (8-byte headers) out of a buffer. */
export function demuxBuffer(buf: Buffer): { stdout: string; stderr: string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buf.length) {
    const stream = buf[offset];
    const size = buf.readUInt32BE(offset + 4);
    if (stream === undefined || stream > 2 || buf[offset + 1] !== 0) {
      // Not framed (a TTY container): the whole buffer is plain output.
      return { stdout: buf.toString('utf8'), stderr: '' };
    }
    const chunk = buf.subarray(offset + 8, offset + 8 + size);
    (stream === 2 ? err : out).push(chunk);
    offset += 8 + size;
  }
  return { stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/**
 * Reads the first entry of a tar archive (what the archive endpoint returns for one path): a regular file's
 * content, or for a symbolic link its target (the link exists, whether or not it resolves).
 */
export function firstFileFromTar(tar: Buffer): Buffer | null {
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return null;
    const size = Number.parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 48);
    const body = offset + 512;
    if (type === '0' || type === '\0') return tar.subarray(body, body + size);
    if (type === '2') return Buffer.from(header.subarray(157, 257).toString('utf8').replace(/\0.*$/s, ''));
    offset = body + Math.ceil(size / 512) * 512;
  }
  return null;
}

/**
 * A log stream without a TTY comes in frames (1 byte stream, 3 zero bytes, a 4-byte big-endian length, the bytes):
 * both streams' text in the order it came, as `docker service logs` shows it.
 */
export function demux(buf: Buffer): string {
  const parts: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length && buf[i]! <= 2 && buf[i + 1] === 0 && buf[i + 2] === 0 && buf[i + 3] === 0) {
    const n = buf.readUInt32BE(i + 4);
    parts.push(buf.subarray(i + 8, i + 8 + n));
    i += 8 + n;
  }
  return i === 0 ? buf.toString() : Buffer.concat(parts).toString();
}
