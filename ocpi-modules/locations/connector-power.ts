const PHASES: Record<string, number> = { AC_1_PHASE: 1, AC_2_PHASE: 2, AC_2_PHASE_SPLIT: 2, AC_3_PHASE: 3, DC: 1 };

/** A connector's power: the declared maximum, else voltage × amperage × phases; in kW with one decimal. */
export function connectorPowerKw(c: Record<string, any>): number | null {
  const watts = typeof c.max_electric_power === 'number' ? c.max_electric_power : typeof c.max_voltage === 'number' && typeof c.max_amperage === 'number' ? c.max_voltage * c.max_amperage * (PHASES[c.power_type] ?? 1) : null;
  return watts === null ? null : Math.round(watts / 100) / 10;
}
