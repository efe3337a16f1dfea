// Which apps an event names: the pass re-reads only those; an event that names none reads all.

import { appsOfEvent } from '../../../src/controller/event-apps.js';

const plan = { id: 'p', steps: [{ actions: [{ action: 'StartApplication', app: '/a' }] }, { actions: [{ action: 'ScaleApplication', app: '/b' }] }], version: 'v' };

describe('appsOfEvent', () => {
  it.each([
    ['status_update_event', { appId: '/web', taskId: 't', taskStatus: 'TASK_RUNNING' }, ['/web']],
    ['health_status_changed_event', { appId: '/web', taskId: 't', alive: false }, ['/web']],
    ['app_terminated_event', { appId: '/gone' }, ['/gone']],
    ['instance_health_changed_event', { instanceId: 'i', runSpecId: '/web', healthy: true }, ['/web']],
    ['api_post_event', { clientIp: '1.2.3.4', uri: '/v2/apps/web', appDefinition: { id: '/web', instances: 3 } }, ['/web']],
    ['deployment_success', { id: 'p', plan }, ['/a', '/b']],
    ['deployment_step_success', { plan: { id: 'p', steps: [] }, currentStep: { actions: [{ action: 'ScaleApplication', app: '/c' }] } }, ['/c']],
    ['status_update_event', { appId: 'relative/id' }, ['/relative/id']],
  ])('%s names the right apps', (type, data, apps) => {
    expect(appsOfEvent(type, JSON.stringify(data))).toEqual(apps);
  });

  it.each([
    ['status_update_event', '{"taskId": "t"}'],
    ['status_update_event', 'not json'],
    ['deployment_success', '{"plan": {"steps": []}}'],
    ['some_future_event', '{"appId": "/web"}'],
    ['status_update_event', '[1,2]'],
  ])('%s %s names no app: read everything', (type, data) => {
    expect(appsOfEvent(type, data)).toBeUndefined();
  });
});
