// Saving a file the API answered with (an export): the browser's download, named as the
// server's Content-Disposition says.

/** The file name of an attachment's Content-Disposition, or fallback. */
export function attachmentName(response: Response, fallback: string): string {
  const cd = response.headers.get('Content-Disposition') ?? ''
  const star = /filename\*=UTF-8''([^;]+)/i.exec(cd)
  if (star?.[1]) return decodeURIComponent(star[1])
  const plain = /filename="([^"]+)"/i.exec(cd)
  return plain?.[1] ?? fallback
}

/** Saves blob as a download named name. */
export function saveFile(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
