import { App, Button, Col, Form, Input, Modal, Row, Space } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import type { Account, AccountCreate, ClaimLookup, DuplicateMatch } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { useAccess, useMe } from '@/features/auth/hooks';
import { ClaimLookupModal } from '@/features/conflict/ClaimLookupModal';
import { OrgUnitTreeSelect } from '@/features/org/OrgUnitTreeSelect';
import { useI18n } from '@/i18n';
import { AccountFields } from './AccountFields';
import { DuplicateMatches } from './DuplicateMatches';
import { type DuplicateRefusal, duplicateRefusal } from './errorDetails';
import { useCreateAccount } from './hooks';
import { LiveDuplicates } from './LiveDuplicates';
import { UserSelect } from './UserSelect';

interface Values {
  name: string;
  name_en?: string;
  uscc?: string;
  industry?: string;
  region?: string;
  tier: AccountCreate['tier'];
  value_class: AccountCreate['value_class'];
  unit_id?: string | null;
  owner_id?: string | null;
  force_reason?: string;
}

const trimmed = (v: string | undefined | null) => (v && v.trim() ? v.trim() : undefined);

/** Whether the user's account.write reaches beyond their own records (they may place for others). */
export function usePlacesForOthers(): boolean {
  const { data: me } = useMe();
  const entry = me?.scope.find((s) => s.permission === 'account.write');
  return Boolean(entry && (entry.everything || entry.unit_count > 0));
}

export function toClaimLookup(match: DuplicateMatch, values: { name?: string; uscc?: string }): ClaimLookup | null {
  if (match.reason === 'uscc' && values.uscc) return { uscc: values.uscc };
  if (match.reason === 'name_exact' && values.name) return { name: values.name };
  return null;
}

/**
 * New customer. Suspected duplicates show while the name or USCC is typed; a 409
 * `duplicate_account` on save lists the matches, and a user holding `account.force_create`
 * may create anyway with a reason (stored and audited).
 */
export function AccountCreateModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (a: Account) => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const { can } = useAccess();
  const [form] = Form.useForm<Values>();
  const { formError, handleError, clearError } = useFormError(form);
  const create = useCreateAccount();
  const [refusal, setRefusal] = useState<DuplicateRefusal | null>(null);
  const [forcing, setForcing] = useState(false);
  const [claimInitial, setClaimInitial] = useState<ClaimLookup | null>(null);
  const placesForOthers = usePlacesForOthers();

  const name = Form.useWatch('name', form) ?? '';
  const nameEn = Form.useWatch('name_en', form) ?? '';
  const uscc = Form.useWatch('uscc', form) ?? '';
  const probe = useMemo(() => ({ name, nameEn, uscc }), [name, nameEn, uscc]);

  useEffect(() => {
    if (!open) return;
    clearError();
    setRefusal(null);
    setForcing(false);
    form.resetFields();
    form.setFieldsValue({ tier: 'smb', value_class: 'C' });
  }, [open, form, clearError]);

  // A changed name or USCC is a new question: the old refusal no longer applies.
  useEffect(() => {
    setRefusal(null);
    setForcing(false);
  }, [name, uscc, nameEn]);

  const submit = async (force: boolean) => {
    let v: Values;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    const body: AccountCreate = { name: v.name.trim(), tier: v.tier, value_class: v.value_class };
    const optional = { name_en: trimmed(v.name_en), uscc: trimmed(v.uscc), industry: trimmed(v.industry), region: trimmed(v.region) };
    for (const [k, val] of Object.entries(optional)) if (val) Object.assign(body, { [k]: val });
    if (v.unit_id) body.unit_id = v.unit_id;
    if (v.owner_id) body.owner_id = v.owner_id;
    if (force && v.force_reason?.trim()) body.force_reason = v.force_reason.trim();
    try {
      const account = await create.mutateAsync(body);
      message.success(t('account.created'));
      onCreated(account);
    } catch (error) {
      const refused = duplicateRefusal(error);
      setRefusal(refused);
      if (refused) {
        // The matches say it all; the name input keeps the server's short note.
        handleError(error);
        clearError();
      } else handleError(error);
    }
  };

  const onClaimHidden = (m: DuplicateMatch) => setClaimInitial(toClaimLookup(m, { name, uscc }));

  return (
    <Modal
      open={open}
      title={t('account.createTitle')}
      onCancel={onClose}
      width={720}
      forceRender
      footer={
        <Space wrap>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          {forcing ? (
            <Button danger type="primary" loading={create.isPending} onClick={() => void submit(true)} data-testid="account-force-submit">
              {t('account.forceCreate')}
            </Button>
          ) : (
            <Button type="primary" loading={create.isPending} onClick={() => void submit(false)} data-testid="account-submit">
              {t('common.save')}
            </Button>
          )}
        </Space>
      }
    >
      <FormErrorAlert error={formError} />
      {refusal ? (
        <DuplicateMatches
          type="error"
          testId="duplicate-refused"
          matches={refusal.matches}
          title={t('account.duplicateRefused')}
          hint={refusal.canForce ? t('account.canForceHint') : can('account.force_create') ? t('account.cannotForceUscc') : t('account.askForForce')}
          onClaimHidden={onClaimHidden}
          openInNewTab
          action={
            refusal.canForce && !forcing ? (
              <Button size="small" danger onClick={() => setForcing(true)} data-testid="account-force-start">
                {t('account.forceStart')}
              </Button>
            ) : undefined
          }
        />
      ) : null}
      <Form form={form} layout="vertical" name="account-create" requiredMark="optional" autoComplete="off">
        <AccountFields afterName={<LiveDuplicates probe={probe} paused={Boolean(refusal)} onClaimHidden={onClaimHidden} />} />
        {placesForOthers ? (
          <Row gutter={16}>
            <Col xs={24} sm={12}>
              <Form.Item name="unit_id" label={t('account.unit')} extra={t('account.unitDefault')}>
                <OrgUnitTreeSelect allowClear style={{ width: '100%' }} />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item name="owner_id" label={t('account.owner')} extra={t('account.ownerDefault')}>
                <UserSelect allowClear offerMe style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          </Row>
        ) : null}
        {forcing ? (
          <Form.Item
            name="force_reason"
            label={t('account.forceReason')}
            extra={t('account.forceReasonHint')}
            rules={[{ required: true, whitespace: true, message: t('account.forceReasonRequired') }]}
          >
            <Input.TextArea rows={3} maxLength={500} showCount data-testid="account-force-reason" />
          </Form.Item>
        ) : null}
      </Form>
      {claimInitial ? <ClaimLookupModal open initial={claimInitial} onClose={() => setClaimInitial(null)} /> : null}
    </Modal>
  );
}
