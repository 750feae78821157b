import dayjs from 'dayjs';
import { describe, expect, it } from 'vitest';
import type { Lead } from '@/api/types';
import { conversionBody, leadChanges } from './changes';
import { forwardStatus, isOpenLead, nextStatuses } from './status';

describe('lead statuses', () => {
  it('mirror the server transitions', () => {
    expect(nextStatuses('new')).toEqual(['working', 'disqualified']);
    expect(nextStatuses('qualified')).toEqual(['working', 'disqualified']);
    expect(nextStatuses('disqualified')).toEqual(['working']);
    expect(nextStatuses('converted')).toEqual([]);
  });

  it('know which leads are open and the usual next step', () => {
    expect(isOpenLead('qualified')).toBe(true);
    expect(isOpenLead('converted')).toBe(false);
    expect(isOpenLead('disqualified')).toBe(false);
    expect(forwardStatus('new')).toBe('working');
    expect(forwardStatus('working')).toBe('qualified');
    expect(forwardStatus('qualified')).toBeNull();
  });
});

const lead = {
  company_name: '星澜科技有限公司',
  contact_name: '王芳',
  title: null,
  phone: '139****0000',
  email: 'wf@example.com',
  source: '展会',
  industry: null,
  region: '北京',
  notes: null,
  version: 2,
} as unknown as Lead;

describe('leadChanges', () => {
  it('sends changes only, keeps masked values, clears emptied ones', () => {
    expect(leadChanges(lead, { company_name: '星澜科技有限公司', contact_name: '王芳', phone: '', email: '', source: '官网', region: '北京' })).toEqual({
      version: 2,
      email: null,
      source: '官网',
    });
  });
});

describe('conversionBody', () => {
  it('links an existing customer by id alone', () => {
    const body = conversionBody('existing', { existing_account_id: 'acc', account: { name: 'ignored', tier: 'smb' } }, false);
    expect(body).toEqual({ account: { existing_account_id: 'acc' } });
  });

  it('builds a new customer, contact and opportunity, dropping masked values', () => {
    const body = conversionBody(
      'new',
      {
        account: { name: ' 星澜科技有限公司 ', uscc: '', region: '北京', tier: 'key_account', value_class: 'B' },
        with_contact: true,
        contact: { name: '王芳', phone: '139****0000', email: 'wf@example.com' },
        with_opportunity: true,
        opportunity: { name: '星澜 项目', amount: 120000, currency: 'cny', expected_close_date: dayjs('2027-03-31') },
        force_reason: 'different company',
      },
      true,
    );
    expect(body).toEqual({
      account: { name: '星澜科技有限公司', region: '北京', tier: 'key_account', value_class: 'B' },
      contact: { name: '王芳', is_primary: true, email: 'wf@example.com' },
      opportunity: { name: '星澜 项目', amount: '120000', currency: 'CNY', expected_close_date: '2027-03-31' },
      force_reason: 'different company',
    });
  });

  it('leaves out unchecked parts and the override reason unless forcing', () => {
    const body = conversionBody('new', { account: { name: 'X公司' }, with_contact: false, contact: { name: 'A' }, with_opportunity: false, force_reason: 'r' }, false);
    expect(body).toEqual({ account: { name: 'X公司', tier: 'smb', value_class: 'C' } });
  });
});
