import { describe, expect, it } from 'vitest'

import { deviceWords } from './devices'

describe('deviceWords', () => {
  it('names the browser and the system', () => {
    expect(
      deviceWords('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36'),
    ).toBe('Chrome · Windows')
    expect(
      deviceWords('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1'),
    ).toBe('Safari · iOS')
    expect(deviceWords('Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0')).toBe('WeChat · Android')
  })

  it('says nothing for an agent it does not know', () => {
    expect(deviceWords('')).toBe('')
    expect(deviceWords('Go-http-client/1.1')).toBe('')
  })
})
