import { lastLines } from './process/log-tail';
import { parseJavaMajor } from './install/java-toolchain';
import { renderTable, seconds } from './status-table';

describe('renderTable', () => {
  it('aligns columns under a header and a rule', () => {
    expect(renderTable(['component', 'port'], [['kafka-1', '9092'], ['elasticsearch', '9200']])).toBe(
      ['component      port', '-------------  ----', 'kafka-1        9092', 'elasticsearch  9200'].join('\n'),
    );
  });

  it('formats seconds', () => {
    expect(seconds(12_345)).toBe('12.3 s');
  });
});

describe('lastLines', () => {
  it('keeps the last n lines, ignoring a trailing newline', () => {
    expect(lastLines('a\nb\nc\n', 2)).toBe('b\nc');
    expect(lastLines('a', 5)).toBe('a');
  });
});

describe('parseJavaMajor', () => {
  it('reads modern and legacy version strings', () => {
    expect(parseJavaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(parseJavaMajor('java version "1.8.0_402"')).toBe(8);
    expect(parseJavaMajor('openjdk version "25" 2025-09-16')).toBe(25);
    expect(parseJavaMajor('nothing')).toBeUndefined();
  });
});
