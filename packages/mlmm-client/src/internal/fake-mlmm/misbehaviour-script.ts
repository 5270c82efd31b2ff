import type { FakeMlmmFailure, FakeMlmmMatch } from '../../fake-mlmm-types';

/** A scripted misbehaviour and how many more requests it applies to. */
export type Rule = { kind: 'fail'; failure: FakeMlmmFailure; left: number } | { kind: 'reset'; match: FakeMlmmMatch; left: number };

/** Misbehaviour scripted by `failNext`, `resetConnectionNext`, `setDelay` and `setTrickle`. */
export class MisbehaviourScript {
  private readonly rules: Rule[] = [];
  /** Wait before answering each request, in milliseconds. */
  delayMs: number;
  /** Write a body one byte per this many milliseconds (0: at once). */
  trickleMs = 0;

  constructor(delayMs: number) {
    this.delayMs = delayMs;
  }

  /** Adds a rule; the first matching rule applies. */
  add(rule: Rule): void {
    this.rules.push(rule);
  }

  /** The first rule matching the request, counted down and dropped when used up. */
  take(method: string, routePath: string): Rule | undefined {
    const rules = this.rules;
    const index = rules.findIndex((rule) => matches(rule.kind === 'fail' ? rule.failure : rule.match, method, routePath));
    if (index < 0) return undefined;
    const rule = rules[index]!;
    rule.left--;
    if (rule.left <= 0) rules.splice(index, 1);
    return rule;
  }
}

function matches(match: FakeMlmmMatch, method: string, routePath: string): boolean {
  if (match.method !== undefined && match.method.toUpperCase() !== method) return false;
  if (match.path === undefined) return true;
  return typeof match.path === 'string' ? match.path === routePath : match.path.test(routePath);
}
