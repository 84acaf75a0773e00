import { ComboboxOption } from '@grafana/ui';
import { getTemplateSrv } from '@grafana/runtime';

/**
 * The dashboard's variables as choices ("$experiment"), so an editor can
 * bind a field to a variable as easily as to a fixed value. Outside a
 * dashboard (no template service) there are none.
 */
export function templateVariableOptions(): Array<ComboboxOption<string>> {
  let names: string[];
  try {
    names = getTemplateSrv()
      .getVariables()
      .map((v) => v.name);
  } catch {
    return [];
  }
  return names.map((name) => ({ value: `$${name}`, label: `$${name}`, description: 'Dashboard variable' }));
}
