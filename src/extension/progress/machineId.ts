/**
 * `vscode.env.machineId`, or undefined when the host has none to give: code-server (and other
 * web hosts without a machine id) hand out the product's placeholder, `someValue.machineId`,
 * which an instructor would otherwise read as one machine shared by the whole class.
 */
export function realMachineId(machineId: string): string | undefined {
  const value = machineId.trim();
  if (!value || /^someValue\./.test(value)) return undefined;
  return value;
}
