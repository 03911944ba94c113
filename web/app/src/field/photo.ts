// Photos taken on the phone are shrunk before they are kept and sent: at most 1600 px on the
// longer side, JPEG at quality 0.8 (a 12 MP photo of several MB becomes about 300 KB).

/** The photo as a JPEG of at most max px, and a small preview as a data URL (the page's CSP allows data: images). */
export async function compress(file: Blob, max = 1600): Promise<{ blob: Blob; preview: string }> {
  const bitmap = await createImageBitmap(file)
  const scale = Math.min(1, max / Math.max(bitmap.width, bitmap.height))
  const canvas = document.createElement('canvas')
  canvas.width = Math.max(1, Math.round(bitmap.width * scale))
  canvas.height = Math.max(1, Math.round(bitmap.height * scale))
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0, canvas.width, canvas.height)
  bitmap.close()
  const blob = await new Promise<Blob>((resolve, reject) =>
    canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('the photo could not be encoded'))), 'image/jpeg', 0.8),
  )
  return { blob, preview: thumbnail(canvas) }
}

/** A preview of at most 240 px of the canvas, as a data URL. */
export function thumbnail(source: HTMLCanvasElement): string {
  const scale = Math.min(1, 240 / Math.max(source.width, source.height))
  const c = document.createElement('canvas')
  c.width = Math.max(1, Math.round(source.width * scale))
  c.height = Math.max(1, Math.round(source.height * scale))
  const ctx = c.getContext('2d')!
  ctx.fillStyle = '#fff'
  ctx.fillRect(0, 0, c.width, c.height)
  ctx.drawImage(source, 0, 0, c.width, c.height)
  return c.toDataURL('image/jpeg', 0.7)
}
