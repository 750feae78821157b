import { App, Checkbox, Col, Form, Input, Modal, Row, Select, Switch } from 'antd';
import { useEffect } from 'react';
import type { User, UserUpdate } from '@/api/types';
import { FormErrorAlert, useFormError } from '@/components/FormErrorAlert';
import { OrgUnitTreeSelect } from '@/features/org/OrgUnitTreeSelect';
import { useI18n } from '@/i18n';
import { scopeLabel } from '@/i18n/labels';
import { isMasked, useAddGrant, useAddPosition, useRoles, useSetPassword, useUpdateUser } from './hooks';

interface EditValues {
  display_name: string;
  email?: string;
  phone?: string;
  locale: 'zh-CN' | 'en-US';
  is_active: boolean;
}

/** Edits a user. Masked contact values start empty and are sent only when retyped. */
export function EditUserModal({ user, open, onClose, onReload }: { user: User; open: boolean; onClose: () => void; onReload: () => Promise<unknown> }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<EditValues>();
  const { formError, handleError, clearError } = useFormError(form);
  const update = useUpdateUser(user.id);
  const emailMasked = isMasked(user.email);
  const phoneMasked = isMasked(user.phone);

  useEffect(() => {
    if (!open) return;
    clearError();
    form.resetFields();
    form.setFieldsValue({
      display_name: user.display_name,
      email: emailMasked ? undefined : (user.email ?? undefined),
      phone: phoneMasked ? undefined : (user.phone ?? undefined),
      locale: user.locale,
      is_active: user.is_active,
    });
  }, [open, user, form, clearError, emailMasked, phoneMasked]);

  const onOk = async () => {
    let v: EditValues;
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    clearError();
    const body: UserUpdate = { version: user.version };
    if (v.display_name.trim() !== user.display_name) body.display_name = v.display_name.trim();
    const email = v.email?.trim() || null;
    if (!(emailMasked && email === null) && email !== (user.email ?? null)) body.email = email;
    const phone = v.phone?.trim() || null;
    if (!(phoneMasked && phone === null) && phone !== (user.phone ?? null)) body.phone = phone;
    if (v.locale !== user.locale) body.locale = v.locale;
    if (v.is_active !== user.is_active) body.is_active = v.is_active;
    try {
      await update.mutateAsync(body);
      message.success(t('common.saved'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={t('user.editTitle')}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={update.isPending}
      width={600}
      forceRender
    >
      <FormErrorAlert error={formError} onReload={() => void onReload().then(onClose)} />
      <Form form={form} layout="vertical" name="user-edit" requiredMark="optional">
        <Row gutter={16}>
          <Col xs={24} sm={12}>
            <Form.Item name="display_name" label={t('user.displayName')} rules={[{ required: true, whitespace: true, message: t('user.displayNameRequired') }]}>
              <Input maxLength={100} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="locale" label={t('user.locale')}>
              <Select options={[{ value: 'zh-CN', label: t('lang.zh-CN') }, { value: 'en-US', label: t('lang.en-US') }]} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="email" label={t('user.email')}>
              <Input type="email" maxLength={254} placeholder={emailMasked ? t('user.masked', { value: user.email ?? '' }) : undefined} />
            </Form.Item>
          </Col>
          <Col xs={24} sm={12}>
            <Form.Item name="phone" label={t('user.phone')}>
              <Input maxLength={32} placeholder={phoneMasked ? t('user.masked', { value: user.phone ?? '' }) : undefined} />
            </Form.Item>
          </Col>
          <Col xs={24}>
            <Form.Item name="is_active" label={t('user.status')} valuePropName="checked">
              <Switch checkedChildren={t('user.active')} unCheckedChildren={t('user.inactive')} />
            </Form.Item>
          </Col>
        </Row>
      </Form>
    </Modal>
  );
}

export function AddPositionModal({ userId, open, onClose }: { userId: string; open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ unit_id: string; title?: string; is_primary?: boolean }>();
  const { formError, handleError, clearError } = useFormError(form);
  const add = useAddPosition(userId);

  useEffect(() => {
    if (open) {
      clearError();
      form.resetFields();
    }
  }, [open, form, clearError]);

  const onOk = async () => {
    let v: { unit_id: string; title?: string; is_primary?: boolean };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    try {
      await add.mutateAsync({ unit_id: v.unit_id, is_primary: Boolean(v.is_primary), ...(v.title?.trim() ? { title: v.title.trim() } : {}) });
      message.success(t('common.created'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal open={open} title={t('user.addPosition')} onCancel={onClose} onOk={() => void onOk()} okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={add.isPending} forceRender>
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="position-add" requiredMark="optional">
        <Form.Item name="unit_id" label={t('user.unit')} rules={[{ required: true, message: t('user.unitRequired') }]}>
          <OrgUnitTreeSelect style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="title" label={t('user.jobTitle')}>
          <Input maxLength={100} />
        </Form.Item>
        <Form.Item name="is_primary" valuePropName="checked">
          <Checkbox>{t('user.makePrimary')}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function AddGrantModal({ userId, open, onClose }: { userId: string; open: boolean; onClose: () => void }) {
  const { t, td, locale } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ role_id: string; unit_id: string }>();
  const { formError, handleError, clearError } = useFormError(form);
  const add = useAddGrant(userId);
  const roles = useRoles();

  useEffect(() => {
    if (open) {
      clearError();
      form.resetFields();
    }
  }, [open, form, clearError]);

  const onOk = async () => {
    let v: { role_id: string; unit_id: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    try {
      await add.mutateAsync(v);
      message.success(t('common.created'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal open={open} title={t('user.addGrant')} onCancel={onClose} onOk={() => void onOk()} okText={t('common.save')} cancelText={t('common.cancel')} confirmLoading={add.isPending} forceRender>
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="grant-add" requiredMark="optional">
        <Form.Item name="role_id" label={t('user.role')} rules={[{ required: true, message: t('user.roleRequired') }]}>
          <Select
            showSearch
            optionFilterProp="search"
            loading={roles.isLoading}
            options={(roles.data ?? []).map((r) => ({
              value: r.id,
              search: `${r.name} ${r.name_en ?? ''} ${r.code}`,
              label: `${locale === 'en-US' && r.name_en ? r.name_en : r.name} · ${scopeLabel(td, r.data_scope)}`,
            }))}
          />
        </Form.Item>
        <Form.Item name="unit_id" label={t('user.unit')} extra={t('user.grantAnchorHint')} rules={[{ required: true, message: t('user.unitRequired') }]}>
          <OrgUnitTreeSelect style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

export function ResetPasswordModal({ user, open, onClose }: { user: User; open: boolean; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ password: string; confirm: string }>();
  const { formError, handleError, clearError } = useFormError(form);
  const setPassword = useSetPassword(user.id);

  useEffect(() => {
    if (open) {
      clearError();
      form.resetFields();
    }
  }, [open, form, clearError]);

  const onOk = async () => {
    let v: { password: string; confirm: string };
    try {
      v = await form.validateFields();
    } catch {
      return;
    }
    try {
      await setPassword.mutateAsync(v.password);
      message.success(t('user.passwordReset'));
      onClose();
    } catch (error) {
      handleError(error);
    }
  };

  return (
    <Modal
      open={open}
      title={t('user.resetPasswordTitle', { name: user.display_name })}
      onCancel={onClose}
      onOk={() => void onOk()}
      okText={t('common.save')}
      cancelText={t('common.cancel')}
      confirmLoading={setPassword.isPending}
      forceRender
    >
      <FormErrorAlert error={formError} />
      <Form form={form} layout="vertical" name="password-reset" autoComplete="off">
        <Form.Item name="password" label={t('user.newPassword')} extra={t('user.passwordHint')} rules={[{ required: true, message: t('user.passwordRequired') }]}>
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="confirm"
          label={t('user.confirmPassword')}
          dependencies={['password']}
          rules={[
            { required: true, message: t('user.passwordRequired') },
            ({ getFieldValue }) => ({
              validator: (_, value) =>
                !value || getFieldValue('password') === value ? Promise.resolve() : Promise.reject(new Error(t('user.passwordMismatch'))),
            }),
          ]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
