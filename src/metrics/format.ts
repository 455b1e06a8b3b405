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

/** A relative change, signed: "+64.0%", "−3.2%"; from a reference of 0, "new". */
export function changeText(change: number): string {
  if (!Number.isFinite(change)) return 'up from 0'
  const percent = (change * 100).toFixed(1)
  return change >= 0 ? `+${percent}%` : `−${percent.slice(1)}%`
}
