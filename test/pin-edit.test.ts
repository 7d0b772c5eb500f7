// refresh moves `snapshot:` in the config text itself: everything else stays byte for byte.
import { describe, expect, it } from 'vitest';
import { movePin } from '../src/cli/pin-edit.js';

const edited = (text: string, to = '20250301T060000Z') => {
  const r = movePin(text, to);
  if ('problem' in r) throw new Error(r.problem);
  return r.text;
};

describe('movePin', () => {
  it('replaces only the timestamp: comments, blank lines, spacing and key order stay', () => {
    const text = '# head\nname: local/x   # the image\n\n\nsnapshot:    20250101T000000Z     # pinned\n# tail\nexpect: e.manifest\n';
    expect(edited(text)).toBe(text.replace('20250101T000000Z', '20250301T060000Z'));
  });

  it('keeps the quotes of a quoted value, and edits JSON configs', () => {
    expect(edited("snapshot: '20250101T000000Z'\n")).toBe("snapshot: '20250301T060000Z'\n");
    expect(edited('snapshot: "20250101T000000Z" # q\n')).toBe('snapshot: "20250301T060000Z" # q\n');
    expect(edited('{\n  "name": "x",\n  "snapshot": "20250101T000000Z"\n}\n')).toBe('{\n  "name": "x",\n  "snapshot": "20250301T060000Z"\n}\n');
  });

  it('leaves a nested snapshot key alone and edits the top-level one', () => {
    const text = 'labels:\n  snapshot: "20250101T000000Z"\nsnapshot: 20250101T000000Z\n';
    expect(edited(text)).toBe('labels:\n  snapshot: "20250101T000000Z"\nsnapshot: 20250301T060000Z\n');
  });

  it('says why it cannot edit: no snapshot of its own, a block scalar', () => {
    expect(movePin('name: x\n', '20250301T060000Z')).toEqual({
      problem: "it has no snapshot: of its own (set by the project file's defaults or --set?): add snapshot: to the config",
    });
    expect(movePin('snapshot: |\n  20250101T000000Z\n', '20250301T060000Z')).toEqual({ problem: 'its snapshot: is a block scalar; write it as snapshot: YYYYMMDDTHHMMSSZ' });
  });
});
