import { APPS_PATH, baseOfEventsUrl, eventSubscriptionPath, eventsPath, joinUrl, moveToFront, nextIndex } from '../../../src/marathon/urls.js';

describe('Marathon URLs', () => {
  it('snapshot query embeds tasks, deployments and readiness', () => {
    expect(APPS_PATH).toBe('/v2/apps?embed=apps.tasks&embed=apps.deployments&embed=apps.readiness');
  });

  it('events path repeats event_type in order after plan-format=light', () => {
    expect(eventsPath(['api_post_event', 'status_update_event'])).toBe(
      '/v2/events?plan-format=light&event_type=api_post_event&event_type=status_update_event',
    );
    expect(eventsPath([])).toBe('/v2/events?plan-format=light');
  });

  it('joins base URLs with or without prefix and trailing slash', () => {
    expect(joinUrl('http://m:8080/', '/v2/apps')).toBe('http://m:8080/v2/apps');
    expect(joinUrl('http://m:8080/marathon', 'v2/apps')).toBe('http://m:8080/marathon/v2/apps');
  });

  it('encodes the callback URL', () => {
    expect(eventSubscriptionPath('http://lb:9090/cb?x=1')).toBe(
      '/v2/eventSubscriptions?callbackUrl=http%3A%2F%2Flb%3A9090%2Fcb%3Fx%3D1',
    );
  });

  it('reports the base URL of an events URL', () => {
    expect(baseOfEventsUrl('http://m:8080/v2/events?plan-format=light')).toBe('http://m:8080');
    expect(baseOfEventsUrl('https://m/marathon/v2/events?x=1')).toBe('https://m/marathon');
  });

  it('rotates and moves to front', () => {
    expect(nextIndex(2, 3)).toBe(0);
    expect(moveToFront(['a', 'b', 'c'], 2)).toEqual(['c', 'a', 'b']);
    expect(moveToFront(['a', 'b', 'c'], 0)).toEqual(['a', 'b', 'c']);
  });
});
