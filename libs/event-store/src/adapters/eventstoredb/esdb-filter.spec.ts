import { EVENT_TYPE, STREAM_NAME, type RegexFilter, type PrefixesFilter } from '@eventstore/db-client';
import { escapeRegex, isHiddenEvent, matchesFilter, toSubscriptionFilter } from './esdb-filter';
import { IDEMPOTENCY_STREAM_PREFIX } from './idempotency-streams';

describe('EventStoreDB filter building', () => {
  describe('hidden events', () => {
    it.each([
      ['$stats-127.0.0.1:2113', '$statsCollected'],
      ['$$task-1', '$metadata'],
      ['$ce-task', '$>'],
      ['task-1', '$>'],
      [`${IDEMPOTENCY_STREAM_PREFIX}abc`, 'IdempotencyClaimed'],
    ])('hides %s / %s', (stream, type) => {
      expect(isHiddenEvent(stream, type)).toBe(true);
      expect(matchesFilter(undefined, stream, type)).toBe(false);
    });

    it('shows domain events', () => {
      expect(isHiddenEvent('task-1', 'TaskCreated')).toBe(false);
      expect(matchesFilter(undefined, 'task-1', 'TaskCreated')).toBe(true);
    });
  });

  describe('client-side matching', () => {
    it('requires one of the stream prefixes', () => {
      const filter = { streamPrefixes: ['task-', 'board-'] };
      expect(matchesFilter(filter, 'board-9', 'X')).toBe(true);
      expect(matchesFilter(filter, 'user-1', 'X')).toBe(false);
    });

    it('requires one of the event types, exactly', () => {
      const filter = { eventTypes: ['TaskCreated'] };
      expect(matchesFilter(filter, 'task-1', 'TaskCreated')).toBe(true);
      expect(matchesFilter(filter, 'task-1', 'TaskCreatedV2')).toBe(false);
    });

    it('requires both dimensions when both are given', () => {
      const filter = { streamPrefixes: ['task-'], eventTypes: ['TaskCreated'] };
      expect(matchesFilter(filter, 'task-1', 'TaskCreated')).toBe(true);
      expect(matchesFilter(filter, 'user-1', 'TaskCreated')).toBe(false);
      expect(matchesFilter(filter, 'task-1', 'TaskArchived')).toBe(false);
    });

    it('treats empty lists as no constraint', () => {
      expect(matchesFilter({ streamPrefixes: [], eventTypes: [] }, 'task-1', 'TaskCreated')).toBe(true);
    });

    it('never lets a filter reveal hidden events', () => {
      expect(matchesFilter({ streamPrefixes: ['$'] }, '$stats-x', '$statsCollected')).toBe(false);
      expect(
        matchesFilter({ streamPrefixes: [IDEMPOTENCY_STREAM_PREFIX] }, `${IDEMPOTENCY_STREAM_PREFIX}a`, 'X'),
      ).toBe(false);
    });
  });

  describe('server-side filter', () => {
    it('filters on event type with an anchored, escaped alternation', () => {
      const f = toSubscriptionFilter({
        eventTypes: ['TaskCreated', 'a.b+c'],
        streamPrefixes: ['task-'],
      }) as RegexFilter;
      expect(f.filterOn).toBe(EVENT_TYPE);
      expect(f.regex).toBe('^(?:TaskCreated|a\\.b\\+c)$');
      const re = new RegExp(f.regex);
      expect(re.test('TaskCreated')).toBe(true);
      expect(re.test('a.b+c')).toBe(true);
      expect(re.test('aXb+c')).toBe(false);
      expect(re.test('TaskCreatedV2')).toBe(false);
    });

    it('matches nothing on the server when only $-types are asked for', () => {
      const f = toSubscriptionFilter({ eventTypes: ['$metadata'] }) as RegexFilter;
      expect(new RegExp(f.regex).test('$metadata')).toBe(false);
      expect(new RegExp(f.regex).test('TaskCreated')).toBe(false);
    });

    it('filters on stream prefixes when no types are given', () => {
      const f = toSubscriptionFilter({ streamPrefixes: ['task-'] }) as PrefixesFilter;
      expect(f.filterOn).toBe(STREAM_NAME);
      expect(f.prefixes).toEqual(['task-']);
    });

    it('excludes system events when there is no filter', () => {
      const f = toSubscriptionFilter(undefined) as RegexFilter;
      expect(f.filterOn).toBe(EVENT_TYPE);
      expect(new RegExp(f.regex).test('$statsCollected')).toBe(false);
      expect(new RegExp(f.regex).test('TaskCreated')).toBe(true);
    });
  });

  it('escapes every regex metacharacter', () => {
    const nasty = 'a.b*c+d?e^f$g{h}i(j)k|l[m]n\\o';
    expect(new RegExp(`^${escapeRegex(nasty)}$`).test(nasty)).toBe(true);
  });
});
