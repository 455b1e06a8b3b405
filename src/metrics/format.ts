// Numbers as the report, the outputs' sentences and the chart show them: plain digits, no Intl.

/** A metric value with a precision that suits its size: 0.042, 4.12, 41.2, 998. */
function metricNumber(value: number): string {
  const magnitude = Math.abs(value)
  const decimals = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3
  return String(Number(value.toFixed(decimals)))
}

/** A value with its unit: "4.12 s/hr". */
export function withUnit(value: number, unit: string | undefined): string {
  return unit ? `${metricNumber(value)} ${unit}` : metricNumber(value)
}

/**
 * A relative change, signed: "+64.0%", "−3.2%"; from a reference of 0, "up from 0". Next to a
 * `limit` it keeps the decimals that decided: +9.95% under a 10% limit never reads "+10.0%".
 */
export function changeText(change: number, limit?: number): string {
  if (!Number.isFinite(change)) return 'up from 0'
  const side = (value: number) => Math.sign(value - (limit ?? value))
  let decimals = 1
  while (limit !== undefined && decimals < 4) {
    if (side(Number((change * 100).toFixed(decimals)) / 100) === side(change)) break
    decimals++
  }
  let digits = (change * 100).toFixed(decimals)
  if (limit !== undefined && side(Number(digits) / 100) !== side(change)) {
    // Still on the limit at 4 decimals: cut toward the side the change is on.
    const scale = 10 ** decimals
    const cut = change > limit ? Math.ceil : Math.floor
    digits = (cut(change * 100 * scale) / scale).toFixed(decimals)
  }
  const percent = decimals > 1 ? String(Number(digits)) : digits
  return change >= 0 ? `+${percent}%` : `−${percent.replace('-', '')}%`
}
